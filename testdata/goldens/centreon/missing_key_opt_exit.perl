WARNING: Need to specify --api-key option. 
exit 1
