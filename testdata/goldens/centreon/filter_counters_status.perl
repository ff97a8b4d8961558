CRITICAL: Scenario 'eshop_checkout' status: CRITICAL_TIMEOUT WARNING: Scenario 'crm_search' status: Warning_Slow - Scenario 'intranet_home' status: WARNING UNKNOWN: Scenario 'erp_desktop' status: UNKNOWN 
checking scenario 'crm_login'
    status: OK
checking scenario 'crm_search'
    status: Warning_Slow
checking scenario 'erp_desktop'
    status: UNKNOWN
checking scenario 'eshop_checkout'
    status: CRITICAL_TIMEOUT
checking scenario 'intranet_home'
    status: WARNING
exit 2
