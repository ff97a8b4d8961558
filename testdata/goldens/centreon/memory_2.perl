OK: All scenarios are ok 
checking scenario 'crm_login'
    status: noNewValue
checking scenario 'intranet_home'
    status: noNewValue
exit 0
