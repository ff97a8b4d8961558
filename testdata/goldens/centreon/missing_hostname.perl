UNKNOWN: Need to specify --hostname option. 
exit 3
