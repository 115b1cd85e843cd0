using Gateway.Abstractions;

namespace Gateway.Pipeline.Session;

/// <summary>One direction's part of a message: its own envelope (the recipients that go that way) and spool writer.</summary>
internal sealed record MessagePart(MailDirection Direction, Envelope Envelope, IMessageWriter Writer);
