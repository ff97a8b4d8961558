UNKNOWN: Need to specify --api-key option. 
exit 3
