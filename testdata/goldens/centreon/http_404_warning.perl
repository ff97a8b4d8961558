WARNING: 404 Not Found 
exit 1
