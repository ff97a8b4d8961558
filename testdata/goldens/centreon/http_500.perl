UNKNOWN: 500 Internal Server Error 
exit 3
