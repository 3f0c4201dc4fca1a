"""Background work for messages: sending one after the transaction that made it commits, the sweeper
that sends whatever is due (retries, rate-limited messages, lost tasks, dead workers), and the
delivery callbacks to agencies' systems."""

from django_tasks import task

from pracha.notifications import services


@task()
def send_message(message_id: int) -> str:
    """One attempt at sending a queued message; its status afterwards."""
    return services.message_send(message_id=message_id)


@task()
def send_due_messages() -> int:
    """Send the messages that are due, in turns per agency, for up to PRACHA_NOTIFY_SWEEP_SECONDS (4.5 s;
    `serve` enqueues this every 5), waiting for the next second when the rate limits are used up, so a
    surge drains at the configured rates; how many were sent (services.messages_send_due)."""
    return services.messages_send_due()


@task()
def send_callback(message_id: int) -> bool:
    """POST one message's final status to its API key's callback URL."""
    return services.callback_send(message_id=message_id)


@task()
def send_due_callbacks() -> int:
    """Send the delivery callbacks that are due (enqueued every 30 seconds by `serve`)."""
    return services.callbacks_send_due()
