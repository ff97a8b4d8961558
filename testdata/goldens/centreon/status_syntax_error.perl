UNKNOWN: Unsafe code evaluation: syntax error at (eval 98) line 1, at EOF 
exit 3
