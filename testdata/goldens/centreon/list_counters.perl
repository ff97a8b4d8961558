counter list: formatted-metric status metric  
exit 0
