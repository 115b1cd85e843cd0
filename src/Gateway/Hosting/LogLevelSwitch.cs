using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

/// <summary>The minimum log level from the policy; a reload changes it without restarting the logger.</summary>
internal sealed class LogLevelSwitch(LogLevel initial)
{
    private int _level = (int)initial;

    public LogLevel Level
    {
        get => (LogLevel)Volatile.Read(ref _level);
        set => Volatile.Write(ref _level, (int)value);
    }
}
