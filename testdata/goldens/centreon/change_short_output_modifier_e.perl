warning: Scenario 'intranet_home' status: WARNING | 'intranet_home~Launch#scenario.metric.usage.milliseconds'=2500ms;;;;
exit 1
