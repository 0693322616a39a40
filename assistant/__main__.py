from assistant.cli.main import app

app()
