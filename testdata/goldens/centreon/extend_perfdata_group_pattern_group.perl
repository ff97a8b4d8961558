CRITICAL: Scenario 'eshop_checkout' status: CRITICAL_TIMEOUT WARNING: Scenario 'crm_search' status: Warning_Slow - Scenario 'intranet_home' status: WARNING UNKNOWN: Scenario 'erp_desktop' status: UNKNOWN | 'sum_crm_login'=1690.75;;;; 'sum_crm_login'=1690.75;;;; 'sum_crm_search'=4200.75;;;;
exit 2
