UNKNOWN: 401 Unauthorized 
exit 3
