namespace Gateway.Host.Cli;

/// <summary>The standard streams a command reads and writes: the process's, or a test's.</summary>
internal sealed record CommandConsole(TextReader In, TextWriter Out, TextWriter Error)
{
    public static CommandConsole System => new(Console.In, Console.Out, Console.Error);
}
