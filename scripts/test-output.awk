# Reads `go test -v` output and prints what a reader of `make test` needs:
# each package's result, every SKIP line, and the whole output of the
# tests that failed (or never ended, e.g. on a panic or a timeout); the
# output of passing tests, their W!/I! log lines included, is dropped.
# Subtests' output counts as their top-level test's (go test -v prints the
# subtests' results after their parent's).
function top(name) { sub(/\/.*/, "", name); return name }
function unended(    name) {
  for (name in buf) {
    if (buf[name] == "") continue
    print "--- output of " name ", which did not end:"
    printf "%s", buf[name]
  }
}
/^=== (RUN|CONT|NAME|PAUSE) / { cur = top($3); next }
/^--- PASS: / { delete buf[$3]; cur = ""; next }
/^ +--- PASS: / { next }
/^ +--- FAIL: / { print; next }
/^ *--- SKIP: / { print; next }
/^--- FAIL: / {
  name = $3
  if (name in buf) printf "%s", buf[name]
  print
  delete buf[name]
  cur = ""
  next
}
/^(ok|FAIL|\?) / || /^(PASS|FAIL)$/ {
  if ($1 == "FAIL") unended()
  split("", buf)
  print
  cur = ""
  fflush()
  next
}
{
  if (cur != "") buf[cur] = buf[cur] $0 "\n"
  else print
}
END { unended() }
