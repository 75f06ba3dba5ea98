window.YTD.tweets.part0 = [
  {
    "tweet" : {
      "id_str" : "1893792490319348791",
      "id" : "1893792490319348791",
      "full_text" : "Day 250 of building in public: first month where revenue covers rent. Still a bit unreal.",
      "created_at" : "Fri Dec 29 08:50:00 +0000 2023",
      "favorite_count" : "75",
      "retweet_count" : "28",
      "lang" : "en",
      "retweeted" : false,
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1892489534213440412",
      "id" : "1892489534213440412",
      "full_text" : "A pnpm habit that saved me hours this month: write the failing test first, even for a 3-line fix.",
      "created_at" : "Tue Dec 26 16:12:00 +0000 2023",
      "favorite_count" : "105",
      "retweet_count" : "32",
      "lang" : "en",
      "retweeted" : false,
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1891377999813761482",
      "id" : "1891377999813761482",
      "full_text" : "Shipped: dark mode, CSV export and 2x faster sync. Changelog → https://streakly.app/changelog",
      "created_at" : "Sat Dec 23 16:37:00 +0000 2023",
      "favorite_count" : "16",
      "retweet_count" : "2",
      "lang" : "en",
      "retweeted" : false,
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1889975411129416818",
      "id" : "1889975411129416818",
      "full_text" : "Streakly 5.7 is live: reminders that respect your time zone, finally.",
      "created_at" : "Thu Dec 21 16:45:00 +0000 2023",
      "favorite_count" : "37",
      "retweet_count" : "5",
      "lang" : "en",
      "retweeted" : false,
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1888738146521849478",
      "id" : "1888738146521849478",
      "full_text" : "Unpopular opinion: most side projects don't need a backend. They need ten users who care.",
      "created_at" : "Mon Dec 18 21:57:00 +0000 2023",
      "favorite_count" : "62",
      "retweet_count" : "8",
      "lang" : "en",
      "retweeted" : false,
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1887645201414590622",
      "id" : "1887645201414590622",
      "full_text" : "RT @indiehackr: The best marketing is a product people talk about. Full stop.",
      "created_at" : "Fri Dec 15 13:35:00 +0000 2023",
      "favorite_count" : "0",
      "retweet_count" : "0",
      "lang" : "en",
      "retweeted" : false,
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1887056655572028752",
      "id" : "1887056655572028752",
      "full_text" : "Streakly 7.8 is live: reminders that respect your time zone, finally.",
      "created_at" : "Wed Dec 13 14:53:00 +0000 2023",
      "favorite_count" : "30",
      "retweet_count" : "3",
      "lang" : "en",
      "retweeted" : false,
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1886307013614103120",
      "id" : "1886307013614103120",
      "full_text" : "@julia_dev yes! and the docs are great too",
      "created_at" : "Sun Dec 10 14:14:00 +0000 2023",
      "favorite_count" : "3",
      "retweet_count" : "0",
      "lang" : "en",
      "retweeted" : false,
      "in_reply_to_status_id_str" : "1886307013614090775",
      "in_reply_to_screen_name" : "julia_dev",
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1885526080419542190",
      "id" : "1885526080419542190",
      "full_text" : "@sam_codes we use Postgres for that, happy to share the setup",
      "created_at" : "Thu Dec 07 21:32:00 +0000 2023",
      "favorite_count" : "6",
      "retweet_count" : "1",
      "lang" : "en",
      "retweeted" : false,
      "in_reply_to_status_id_str" : "1885526080419529845",
      "in_reply_to_screen_name" : "sam_codes",
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1884086394598008987",
      "id" : "1884086394598008987",
      "full_text" : "@julia_dev yes! and the docs are great too",
      "created_at" : "Mon Dec 04 15:33:00 +0000 2023",
      "favorite_count" : "2",
      "retweet_count" : "0",
      "lang" : "en",
      "retweeted" : false,
      "in_reply_to_status_id_str" : "1884086394597996642",
      "in_reply_to_screen_name" : "julia_dev",
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1883152010748861280",
      "id" : "1883152010748861280",
      "full_text" : "What should I build next for Streakly: widgets, shared streaks, or a web app?",
      "created_at" : "Sat Dec 02 13:22:00 +0000 2023",
      "favorite_count" : "40",
      "retweet_count" : "5",
      "lang" : "en",
      "retweeted" : false,
      "entities" : {
        "hashtags" : [],
        "urls" : [],
        "media" : [
          {
            "type" : "photo"
          }
        ]
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1882463016179623005",
      "id" : "1882463016179623005",
      "full_text" : "🧵 How Streakly got its first 1,000 users without a single ad (1/5)",
      "created_at" : "Wed Nov 29 16:33:00 +0000 2023",
      "favorite_count" : "139",
      "retweet_count" : "34",
      "lang" : "en",
      "retweeted" : false,
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1881075842794263659",
      "id" : "1881075842794263659",
      "full_text" : "A Stripe habit that saved me hours this month: write the failing test first, even for a 4-line fix.",
      "created_at" : "Sun Nov 26 14:56:00 +0000 2023",
      "favorite_count" : "50",
      "retweet_count" : "10",
      "lang" : "en",
      "retweeted" : false,
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1880037821147590800",
      "id" : "1880037821147590800",
      "full_text" : "Streakly 4.7 is live: reminders that respect your time zone, finally.",
      "created_at" : "Fri Nov 24 21:19:00 +0000 2023",
      "favorite_count" : "16",
      "retweet_count" : "2",
      "lang" : "en",
      "retweeted" : false,
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1878562005738262012",
      "id" : "1878562005738262012",
      "full_text" : "What should I build next for Streakly: widgets, shared streaks, or a web app?",
      "created_at" : "Tue Nov 21 17:46:00 +0000 2023",
      "favorite_count" : "27",
      "retweet_count" : "2",
      "lang" : "en",
      "retweeted" : false,
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1877802461671875715",
      "id" : "1877802461671875715",
      "full_text" : "A SQLite habit that saved me hours this month: write the failing test first, even for a 5-line fix.",
      "created_at" : "Sat Nov 18 19:20:00 +0000 2023",
      "favorite_count" : "105",
      "retweet_count" : "44",
      "lang" : "en",
      "retweeted" : false,
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1876657622957602069",
      "id" : "1876657622957602069",
      "full_text" : "RT @indiehackr: The best marketing is a product people talk about. Full stop.",
      "created_at" : "Thu Nov 16 07:06:00 +0000 2023",
      "favorite_count" : "0",
      "retweet_count" : "1",
      "lang" : "en",
      "retweeted" : false,
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1875400516370311306",
      "id" : "1875400516370311306",
      "full_text" : "Honest question: is anyone still happy with Expo after a year in production?",
      "created_at" : "Mon Nov 13 16:24:00 +0000 2023",
      "favorite_count" : "14",
      "retweet_count" : "1",
      "lang" : "en",
      "retweeted" : false,
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1874509545960929172",
      "id" : "1874509545960929172",
      "full_text" : "@julia_dev yes! and the docs are great too",
      "created_at" : "Fri Nov 10 19:44:00 +0000 2023",
      "favorite_count" : "1",
      "retweet_count" : "0",
      "lang" : "en",
      "retweeted" : false,
      "in_reply_to_status_id_str" : "1874509545960916827",
      "in_reply_to_screen_name" : "julia_dev",
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1873546259312191906",
      "id" : "1873546259312191906",
      "full_text" : "@sam_codes we use SQLite for that, happy to share the setup",
      "created_at" : "Tue Nov 07 16:45:00 +0000 2023",
      "favorite_count" : "4",
      "retweet_count" : "0",
      "lang" : "en",
      "retweeted" : false,
      "in_reply_to_status_id_str" : "1873546259312179561",
      "in_reply_to_screen_name" : "sam_codes",
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1872954315922688621",
      "id" : "1872954315922688621",
      "full_text" : "Coffee, rain, and a clean inbox. Good Monday.",
      "created_at" : "Sun Nov 05 12:38:00 +0000 2023",
      "favorite_count" : "22",
      "retweet_count" : "1",
      "lang" : "en",
      "retweeted" : false,
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1872333492001052874",
      "id" : "1872333492001052874",
      "full_text" : "Streakly just crossed 400 paying users. 14 months ago it was a weekend project in a notebook.",
      "created_at" : "Thu Nov 02 12:25:00 +0000 2023",
      "favorite_count" : "177",
      "retweet_count" : "26",
      "lang" : "en",
      "retweeted" : false,
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1871623404272133413",
      "id" : "1871623404272133413",
      "full_text" : "Honest question: is anyone still happy with pnpm after a year in production?",
      "created_at" : "Mon Oct 30 08:58:00 +0000 2023",
      "favorite_count" : "44",
      "retweet_count" : "4",
      "lang" : "en",
      "retweeted" : false,
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1870726687619229708",
      "id" : "1870726687619229708",
      "full_text" : "Day 200 of building in public: first month where revenue covers rent. Still a bit unreal.",
      "created_at" : "Sat Oct 28 21:19:00 +0000 2023",
      "favorite_count" : "80",
      "retweet_count" : "14",
      "lang" : "en",
      "retweeted" : false,
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1869246456123888422",
      "id" : "1869246456123888422",
      "full_text" : "3 Expo tricks I use every day:\n\n1. keep configs typed end to end\n2. validate at the edges\n3. let the compiler find the dead code\n\nWhich one is new to you?",
      "created_at" : "Wed Oct 25 14:01:00 +0000 2023",
      "favorite_count" : "61",
      "retweet_count" : "18",
      "lang" : "en",
      "retweeted" : false,
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1867860460507916216",
      "id" : "1867860460507916216",
      "full_text" : "Honest question: is anyone still happy with Tailwind after a year in production?",
      "created_at" : "Sun Oct 22 16:02:00 +0000 2023",
      "favorite_count" : "32",
      "retweet_count" : "4",
      "lang" : "en",
      "retweeted" : false,
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1867030259471386601",
      "id" : "1867030259471386601",
      "full_text" : "Reminder that rest is part of the work. Back tomorrow.",
      "created_at" : "Thu Oct 19 19:30:00 +0000 2023",
      "favorite_count" : "34",
      "retweet_count" : "5",
      "lang" : "en",
      "retweeted" : false,
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1866511598843149771",
      "id" : "1866511598843149771",
      "full_text" : "RT @indiehackr: The best marketing is a product people talk about.",
      "created_at" : "Tue Oct 17 14:30:00 +0000 2023",
      "favorite_count" : "0",
      "retweet_count" : "0",
      "lang" : "en",
      "retweeted" : false,
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1865671733089489793",
      "id" : "1865671733089489793",
      "full_text" : "Shipping weekly beats shipping perfectly. Every single time.",
      "created_at" : "Sat Oct 14 21:06:00 +0000 2023",
      "favorite_count" : "32",
      "retweet_count" : "4",
      "lang" : "en",
      "retweeted" : false,
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1864484758162172442",
      "id" : "1864484758162172442",
      "full_text" : "What should I build next for Streakly: widgets, shared streaks, or a web app?",
      "created_at" : "Wed Oct 11 12:45:00 +0000 2023",
      "favorite_count" : "21",
      "retweet_count" : "3",
      "lang" : "en",
      "retweeted" : false,
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1863468369665089926",
      "id" : "1863468369665089926",
      "full_text" : "@devfriend totally agree, the DX is night and day",
      "created_at" : "Mon Oct 09 19:54:00 +0000 2023",
      "favorite_count" : "6",
      "retweet_count" : "0",
      "lang" : "en",
      "retweeted" : false,
      "in_reply_to_status_id_str" : "1863468369665077581",
      "in_reply_to_screen_name" : "devfriend",
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1862726469484157792",
      "id" : "1862726469484157792",
      "full_text" : "We hit #1 on the productivity charts in Sweden today. My mum sent a screenshot. 🥹",
      "created_at" : "Fri Oct 06 19:02:00 +0000 2023",
      "favorite_count" : "74",
      "retweet_count" : "8",
      "lang" : "en",
      "retweeted" : false,
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1861867911471053890",
      "id" : "1861867911471053890",
      "full_text" : "Day 250 of building in public: first month where revenue covers rent. Still a bit unreal.",
      "created_at" : "Tue Oct 03 20:17:00 +0000 2023",
      "favorite_count" : "53",
      "retweet_count" : "5",
      "lang" : "en",
      "retweeted" : false,
      "entities" : {
        "hashtags" : [],
        "urls" : [],
        "media" : [
          {
            "type" : "photo"
          }
        ]
      }
    }
  },
  {
    "tweet" : {
      "id_str" : "1860758083997061409",
      "id" : "1860758083997061409",
      "full_text" : "@devfriend totally agree, the DX is night and day",
      "created_at" : "Sun Oct 01 14:35:00 +0000 2023",
      "favorite_count" : "9",
      "retweet_count" : "1",
      "lang" : "en",
      "retweeted" : false,
      "in_reply_to_status_id_str" : "1860758083997049064",
      "in_reply_to_screen_name" : "devfriend",
      "entities" : {
        "hashtags" : [],
        "urls" : []
      }
    }
  }
]
