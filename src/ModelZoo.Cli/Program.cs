using ModelZoo.Cli;

return await CliApp.RunAsync(args);
