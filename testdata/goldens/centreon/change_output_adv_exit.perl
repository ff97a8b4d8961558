CRITICAL: Scenario 'eshop_checkout' status: CRITICAL_TIMEOUT WARNING: Scenario 'crm_search' status: Warning_Slow - Scenario 'intranet_home' status: WARNING UNKNOWN: Scenario 'erp_desktop' status: UNKNOWN 
exit 0
