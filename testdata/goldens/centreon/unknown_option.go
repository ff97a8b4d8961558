UNKNOWN: Unknown option: bogus 
exit 3
