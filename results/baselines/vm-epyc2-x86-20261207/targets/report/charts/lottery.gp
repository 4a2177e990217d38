# the hardware lottery: fraction of roofline reached
# Written by hybench report.  Re-plot: cd into this folder, gnuplot lottery.gp
set terminal svg size 820,460 noenhanced font 'Helvetica,12' background rgb 'white'
set output 'lottery.svg'
set datafile separator '\t'
set datafile missing 'NaN'
set grid lc rgb '#d8d8d8'
set border lc rgb '#555555'
set key below left Left reverse samplen 2 spacing 1.1 maxrows 6
set title "the hardware lottery: fraction of roofline reached"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border rgb '#444444'
set boxwidth 0.9
set yrange [0:*]
set ylabel 'fraction of roofline'
set xtics rotate by 15 right scale 0
unset grid
set grid ytics lc rgb '#d8d8d8'
set key inside top right
plot 'lottery.dat' using 2:xtic(1) title 'attention' lc rgb '#1f77b4', \
  '' using 3 title 'selective scan' lc rgb '#d62728', \
  '' using 4 title 'SSD' lc rgb '#2ca02c', \
  '' using 5 title 'MoE' lc rgb '#ff7f0e'
