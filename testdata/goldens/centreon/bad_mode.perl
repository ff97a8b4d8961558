UNKNOWN: mode 'foo' doesn't exist (use --list-mode option to show available modes). 
exit 3
