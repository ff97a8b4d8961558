WARNING: Scenario 'intranet_home' status: WARNING 
checking scenario 'crm_login'
    status: OK
checking scenario 'intranet_home'
    status: WARNING
exit 1
