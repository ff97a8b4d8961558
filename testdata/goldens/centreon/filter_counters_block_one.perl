OK: Scenario 'intranet_home' metric 'Launch' value: 2500 ms | 'intranet_home~Launch#scenario.metric.usage.milliseconds'=2500ms;;;;
exit 0
