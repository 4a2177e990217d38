# validation matrix: family x backend
# Written by hybench report.  Re-plot: cd into this folder, gnuplot validation.gp
set terminal svg size 820,460 noenhanced font 'Helvetica,12' background rgb 'white'
set output 'validation.svg'
set datafile separator '\t'
set datafile missing 'NaN'
set grid lc rgb '#d8d8d8'
set border lc rgb '#555555'
set key below left Left reverse samplen 2 spacing 1.1 maxrows 6
set title "validation matrix: family x backend"
set palette defined (0 '#7bc77e', 1 '#e57373', 2 '#c8c8c8', 3 '#ffffff')
set cbrange [0:3]
unset colorbox
unset key
unset grid
set tics scale 0
set xrange [-0.5:2.5]
set yrange [4.5:-0.5]
set xtics ("x86 x86" 0, "cpu cpu" 1, "x86-bf16 x86" 2)
set ytics ("linear" 0, "conv1d" 1, "scan" 2, "attention" 3, "moe" 4)
set xtics rotate by 15 right
set style fill solid 1.0 border rgb '#888888'
plot 'validation.dat' using 1:2:(0.5):(0.5):3 with boxxyerror fc palette, \
  '' using 1:2:4 with labels font ',10'
