UNKNOWN: Unsafe code evaluation: --warning-status '%{status} =~ /x/ &&': syntax error at column 20: unexpected end 
exit 3
