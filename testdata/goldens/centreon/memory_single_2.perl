OK: Scenario 'intranet_home' status: noNewValue 
exit 0
