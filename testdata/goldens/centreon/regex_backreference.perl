CRITICAL: Scenario 'eshop_checkout' status: CRITICAL_TIMEOUT WARNING: Scenario 'crm_search' status: Warning_Slow - Scenario 'intranet_home' status: WARNING UNKNOWN: Scenario 'erp_desktop' status: UNKNOWN | 'crm_search~Search#scenario.metric.usage.milliseconds'=4200.75ms;;;; 'erp_desktop~Open customer file#scenario.metric.usage.milliseconds'=15000ms;;;; 'eshop_checkout~Cart size#scenario.metric.usage.'=3items;;;; 'eshop_checkout~Pay#scenario.metric.usage.milliseconds'=30000ms;;;; 'intranet_home~Launch#scenario.metric.usage.milliseconds'=2500ms;;;;
checking scenario 'crm_search'
    status: Warning_Slow
    metric 'Search' value: 4200.75 ms
checking scenario 'erp_desktop'
    status: UNKNOWN
    metric 'Open customer file' value: 15000 ms
checking scenario 'eshop_checkout'
    status: CRITICAL_TIMEOUT
    metric 'Cart size' value: 3 items
    metric 'Pay' value: 30000 ms
checking scenario 'intranet_home'
    status: WARNING
    metric 'Launch' value: 2500 ms
exit 2
