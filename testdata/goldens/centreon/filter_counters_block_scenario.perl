OK:  
exit 0
