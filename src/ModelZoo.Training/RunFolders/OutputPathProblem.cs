namespace ModelZoo.Training;

/// <summary>What is wrong with an output path (<see cref="OutputPathException.Problem"/>).</summary>
public enum OutputPathProblem
{
    /// <summary>An empty or malformed path.</summary>
    Invalid,

    /// <summary>A non-empty folder or an existing file that would be replaced without being asked to.</summary>
    AlreadyThere,

    /// <summary>A file where a folder is meant, or a folder where a file is meant.</summary>
    WrongKind,

    /// <summary>A parent folder that does not exist (or is a file).</summary>
    MissingParent,

    /// <summary>A folder that cannot be read or written (permissions, read-only file system).</summary>
    NotWritable,

    /// <summary>Too little free disk space.</summary>
    NoSpace,
}
