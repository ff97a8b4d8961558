CRITICAL: Scenario 'quote's' status: down | 'quote''s~step''s#scenario.metric.usage.milliseconds'=3ms;;;;
exit 2
