using Gateway.Host.Hosting;
using Gateway.Policy;

namespace Gateway.Host.Cli;

/// <summary>
/// `gateway check`: loads the policy set exactly as `run` would (including certificates and credentials) and
/// prints every problem as file:line:column: message.
/// </summary>
internal static class CheckCommand
{
    public static int Execute(CommandLine command)
    {
        var result = PolicyLoader.Load(command.ConfigPath);
        if (!result.Success)
        {
            foreach (var error in result.Errors)
            {
                Console.Out.WriteLine(error.ToString());
            }

            Console.Error.WriteLine($"gateway: {result.Errors.Count} problem(s) in the policy set");
            return ExitCodes.Failure;
        }

        var runtime = PolicyRuntime.TryBuild(result.Policy!, RuntimeServices.Standalone(result.Policy!, TimeProvider.System), out var runtimeErrors);
        if (runtime is null)
        {
            foreach (var error in runtimeErrors)
            {
                Console.Out.WriteLine(error.ToString());
            }

            return ExitCodes.Failure;
        }

        runtime.Dispose();
        Console.Out.WriteLine($"{Path.GetFullPath(command.ConfigPath)}: policy OK ({result.Policy!.SourceFiles.Count} file(s))");
        return ExitCodes.Ok;
    }
}
