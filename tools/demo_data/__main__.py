from tools.demo_data.cli import app

app(prog_name="python -m tools.demo_data")
