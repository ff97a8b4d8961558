UNKNOWN: 401 Unauthorized (MIP refused the API key: check --api-key) 
exit 3
