UNKNOWN: Unknown option: statefile-dir 
exit 3
