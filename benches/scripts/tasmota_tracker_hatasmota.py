"""The hatasmota peer of the tasmota_tracker bench: discovery, then a stream of messages.

Usage: python3 tasmota_tracker_hatasmota.py STREAM.json ITERATIONS

STREAM.json is {"discovery": [[topic, payload], ...], "messages": [[topic, payload], ...]}, the
same messages the Rust side decodes. Each iteration does what Home Assistant's tasmota
integration does with them: validates each discovery message (`TasmotaDiscoveryMsg`), derives
the device's entities and sensors, creates them and subscribes them through an in-memory MQTT
client, then delivers every message to the callbacks subscribed to its topic (the entities'
own JSON parsing and state updates), with no-op state callbacks. Prints the median nanoseconds
per iteration on stdout. Exits with status 3 when hatasmota cannot be imported.
"""

import asyncio
import json
import statistics
import sys
import time

try:
    from hatasmota import discovery
    from hatasmota.mqtt import ReceiveMessage, TasmotaMQTTClient
    from hatasmota.sensor import get_sensor_entities
except ImportError as e:
    print(f"hatasmota cannot be imported ({e}): run `pip install hatasmota`", file=sys.stderr)
    sys.exit(3)

PLATFORMS = ["switch", "light", "cover", "fan", "binary_sensor", "sensor"]


def noop(*args, **kwargs):
    return None


async def anoop(*args, **kwargs):
    return None


async def run(stream):
    callbacks = {}

    async def publish(topic, payload, qos=0, retain=False):
        return None

    async def subscribe(sub_state, topics):
        for t in topics.values():
            callbacks.setdefault(t["topic"], []).append(t["msg_callback"])
        return {}

    async def unsubscribe(sub_state):
        return {}

    client = TasmotaMQTTClient(publish, subscribe, unsubscribe)
    configs = {}
    sensors = {}
    for topic, payload in stream["discovery"]:
        mac = topic.split("/")[2]
        if topic.endswith("/config"):
            configs[mac] = discovery.TasmotaDiscoveryMsg(json.loads(payload))
        else:
            sensors[mac] = json.loads(payload)
    entities = []
    for mac, config in configs.items():
        for platform in PLATFORMS:
            for entity_config, _ in discovery.get_entities_for_platform(config, platform):
                if entity_config is not None:
                    entities.append(discovery.get_entity(entity_config, client))
        if mac in sensors:
            for sensor_config, _ in get_sensor_entities(sensors[mac], config):
                entities.append(discovery.get_entity(sensor_config, client))
    for entity in entities:
        entity.set_on_state_callback(noop)
        if hasattr(entity, "set_on_availability_callback"):
            entity.set_on_availability_callback(anoop)
        await entity.subscribe_topics()
    for topic, payload in stream["messages"]:
        msg = ReceiveMessage(topic, payload, 0, False)
        for callback in callbacks.get(topic, ()):
            result = callback(msg)
            if asyncio.iscoroutine(result):
                await result


def main():
    with open(sys.argv[1]) as file:
        stream = json.load(file)
    iterations = int(sys.argv[2])
    loop = asyncio.new_event_loop()
    for _ in range(2):
        loop.run_until_complete(run(stream))
    samples = []
    for _ in range(iterations):
        start = time.perf_counter_ns()
        loop.run_until_complete(run(stream))
        samples.append(time.perf_counter_ns() - start)
    print(int(statistics.median(samples)))


main()
