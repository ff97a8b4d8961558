UNKNOWN: 404 Not Found (no MIP API at this address: check --hostname, --port and --proto) 
exit 3
