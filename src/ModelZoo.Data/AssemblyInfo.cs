using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("ModelZoo.Training")]
[assembly: InternalsVisibleTo("ModelZoo.Tests")]
