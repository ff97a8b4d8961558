UNKNOWN: Wrong range-perfdata option '5' 
exit 3
