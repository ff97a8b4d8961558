OK: All scenarios are ok | 'crm_login~Availability#scenario.metric.usage.'=99.5%;;;; 'crm_login~Durée étape 2#scenario.metric.usage.milliseconds'=456.25ms;;;; 'crm_login~HTTP status#scenario.metric.usage.count'=200status;;;; 'crm_login~Page size#scenario.metric.usage.bytes'=123456bytes;;;; 'crm_login~Requests#scenario.metric.usage.requests'=42requests;;;; 'crm_login~Step 1 - Home page#scenario.metric.usage.milliseconds'=1234.5ms;;;; 'crm_login~Throughput#scenario.metric.usage.bitspersecond'=1200.25bps;;;; 'crm_login~Nb lignes#scenario.formatted_metric.usage.count'=17;;;; 'crm_login~Temps total#scenario.formatted_metric.usage.count'=1234.5;;;; 'crm_search~Search#scenario.metric.usage.milliseconds'=4200.75ms;;;; 'erp_desktop~Open customer file#scenario.metric.usage.milliseconds'=15000ms;;;; 'eshop_checkout~Cart size#scenario.metric.usage.'=3items;;;; 'eshop_checkout~Pay#scenario.metric.usage.milliseconds'=30000ms;;;; 'intranet_home~Launch#scenario.metric.usage.milliseconds'=2500ms;;;;
checking scenario 'crm_login'
    metric 'Availability' value: 99.5 %
    metric 'Durée étape 2' value: 456.25 ms
    metric 'HTTP status' value: 200 status
    metric 'Page size' value: 120.56 KB
    metric 'Requests' value: 42 requests
    metric 'Step 1 - Home page' value: 1234.5 ms
    metric 'Throughput' value: 1.20 Kb/s
    formatted metric 'Nb lignes' value: 17
    formatted metric 'Temps total' value: 1234.5
checking scenario 'crm_search'
    metric 'Search' value: 4200.75 ms
checking scenario 'erp_desktop'
    metric 'Open customer file' value: 15000 ms
checking scenario 'eshop_checkout'
    metric 'Cart size' value: 3 items
    metric 'Pay' value: 30000 ms
checking scenario 'intranet_home'
    metric 'Launch' value: 2500 ms
exit 0
