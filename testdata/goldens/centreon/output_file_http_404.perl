
--- file
UNKNOWN: 404 Not Found 
exit 3
