UNKNOWN: Nothing found 
exit 3
