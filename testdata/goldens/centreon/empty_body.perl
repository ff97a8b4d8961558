UNKNOWN: API returns empty content [code: '200'] [message: 'OK'] 
exit 3
