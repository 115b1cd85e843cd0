using System.Reflection;

namespace Gateway.Host.Cli;

internal static class VersionCommand
{
    public static string Version { get; } =
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(VersionCommand).Assembly.GetName().Version?.ToString()
        ?? "0.0.0";

    public static int Execute()
    {
        Console.Out.WriteLine($"gateway {Version}");
        return ExitCodes.Ok;
    }
}
