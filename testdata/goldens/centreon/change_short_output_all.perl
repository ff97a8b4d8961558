CRITICAL: eshop_checkout: status: CRITICAL_TIMEOUT WARNING: crm_search: status: Warning_Slow - intranet_home: status: WARNING UNKNOWN: erp_desktop: status: UNKNOWN 
exit 2
