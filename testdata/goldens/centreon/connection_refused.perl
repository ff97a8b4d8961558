UNKNOWN: 500 Can't connect to 127.0.0.1:1 (Connection refused) 
exit 3
