UNKNOWN: Cannot decode response: the response is not a JSON object (it starts with 'n') 
exit 3
