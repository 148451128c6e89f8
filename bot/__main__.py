from bot.runner import main

main()
