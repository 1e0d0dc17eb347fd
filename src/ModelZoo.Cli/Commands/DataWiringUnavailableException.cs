namespace ModelZoo.Cli.Commands;

/// <summary>This build of the CLI was compiled without the data wiring (pre-merge branch builds only).</summary>
public sealed class DataWiringUnavailableException : ModelZooException
{
    /// <summary>Creates the exception.</summary>
    public DataWiringUnavailableException()
        : base("this build has no data loading wired into 'train' (built without MODELZOO_DATA_MERGED)")
    {
    }
}
