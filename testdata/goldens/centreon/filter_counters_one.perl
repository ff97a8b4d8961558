WARNING: Scenario 'intranet_home' status: WARNING 
exit 1
