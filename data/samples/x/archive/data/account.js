window.YTD.account.part0 = [
  {
    "account": {
      "username": "mayabuilds",
      "accountId": "1500000000",
      "accountDisplayName": "Maya Lindqvist"
    }
  }
]
