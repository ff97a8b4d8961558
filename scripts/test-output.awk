# Reads `go test -v` output and prints what a reader of `make test` needs:
# each package's result, every SKIP line, and the output of the tests that
# failed (or never ended, e.g. on a panic or a timeout), each test's lines
# under its name (go test's own "=== NAME" line) just above its FAIL line; the output of passing tests and subtests,
# their W!/I! log lines and figures included, is dropped. Output is kept
# per test and subtest, by full name: go test -v prints a subtest's result
# after its parent's, and a passing subtest's lines must not appear beside
# a failing sibling's.
function unended(    name) {
  for (name in buf) {
    if (buf[name] == "") continue
    print "--- output of " name ", which did not end:"
    printf "%s", buf[name]
  }
}
/^=== (RUN|CONT|NAME|PAUSE) / { cur = $3; next }
/^ *--- PASS: / { delete buf[$3]; if ($0 ~ /^---/) cur = ""; next }
/^ *--- SKIP: / { print; delete buf[$3]; next }
/^ *--- FAIL: / {
  name = $3
  if (buf[name] != "") printf "=== NAME  %s\n%s", name, buf[name]
  print
  delete buf[name]
  if ($0 ~ /^---/) cur = ""
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
