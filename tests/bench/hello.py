"""The baseline of the benchmark: FastAPI's hello world, served like the tracker (uvicorn, the
same worker count), so that each route's throughput reads as a share of the framework's own."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def hello() -> dict[str, str]:
    return {"message": "Hello World"}
