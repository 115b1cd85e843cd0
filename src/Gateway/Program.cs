namespace Gateway.Host;

internal static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("usage: gateway run|check|version [--config FILE]");
        return args.Length == 0 ? 2 : 2;
    }
}
