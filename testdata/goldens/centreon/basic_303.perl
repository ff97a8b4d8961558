UNKNOWN: Scenario 'erp_desktop' status: UNKNOWN | 'erp_desktop~Open customer file#scenario.metric.usage.milliseconds'=15000ms;;;;
exit 3
